// Small helpers only; pages work without JavaScript except the as-you-type search and job progress.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("htmx-error");
  if (box) { box.textContent = "网络或服务器出错，请稍后再试。"; }
});

// Behaviour that used to sit in on... attributes, which the Content-Security-Policy refuses:
// <form data-confirm="问题"> asks first; <form data-once> disables its button once sent;
// <select data-autosubmit> sends its form on change; <a data-back> goes back a page.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.confirm !== undefined && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (form.hasAttribute("data-once")) {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
  }
});
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) { field.form.submit(); }
});
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("[data-back]") : null;
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) { window.print(); }
});
