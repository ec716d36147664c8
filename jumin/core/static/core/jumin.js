// Small helpers only; pages work without JavaScript except the as-you-type search and job progress.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("htmx-error");
  if (box) { box.textContent = "网络或服务器出错，请稍后再试。"; }
});
