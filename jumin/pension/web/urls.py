"""The pension pages, in two namespaces with the paths they always had: ``pension:<name>``
under ``pension/`` (plans, enrolments, grades, the employee list, personal accounts) and
``contributions:<name>`` under ``collection/`` (dues and posting runs). The permission of
each is declared in ``registry.py``."""

from django.urls import include, path

from jumin.pension.web.views import (
    accounts,
    awards,
    deaths,
    dues,
    employee_list,
    enrolments,
    holidays,
    interest,
    payroll,
    plans,
    postings,
    statements,
    transfers,
)

pension_patterns = [
    path("plans/", plans.plans, name="plans"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/copy/", plans.plan_copy, name="plan_copy"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("enrolments/", enrolments.enrolments, name="enrolments"),
    path("enrolments/new/", enrolments.enrolment_register, name="enrolment_register"),
    path("enrolments/approve/", enrolments.enrolment_approve_many, name="enrolment_approve_many"),
    path("enrolments/<int:pk>/", enrolments.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/approve/", enrolments.enrolment_approve, name="enrolment_approve"),
    path("enrolments/<int:pk>/reject/", enrolments.enrolment_reject, name="enrolment_reject"),
    path("enrolments/<int:pk>/change/", enrolments.enrolment_change, name="enrolment_change"),
    path("enrolments/<int:pk>/pause/", enrolments.enrolment_pause, name="enrolment_pause"),
    path("enrolments/<int:pk>/resume/", enrolments.enrolment_resume, name="enrolment_resume"),
    path("enrolments/<int:pk>/close/", enrolments.enrolment_close, name="enrolment_close"),
    path("grades/<int:person_pk>/<int:year>/", enrolments.grade_choose, name="grade_choose"),
    path("employee-list/", employee_list.employee_list, name="employee_list"),
    path("accounts/<int:person_pk>/", accounts.account, name="account"),
    path(
        "accounts/entries/<int:pk>/reverse/", accounts.entry_reverse, name="account_entry_reverse"
    ),
    path(
        "accounts/<int:person_pk>/dues/<int:due_pk>/reverse/",
        accounts.due_reverse,
        name="account_due_reverse",
    ),
    path("accounts/<int:person_pk>/statement/<int:year>/", statements.statement, name="statement"),
    path(
        "accounts/<int:person_pk>/statement/<int:year>/pdf/",
        statements.statement_pdf,
        name="statement_pdf",
    ),
    path(
        "accounts/villages/<str:code>/statements/<int:year>/",
        statements.village_statements,
        name="village_statements",
    ),
    path(
        "accounts/villages/<str:code>/statements/<int:year>/pdf/",
        statements.village_statements_pdf,
        name="village_statements_pdf",
    ),
    path("interest/", interest.interest, name="interest"),
    path("interest/rates/", interest.interest_rate_save, name="interest_rate_save"),
    path("interest/run/", interest.interest_run, name="interest_run"),
    path("interest/jobs/<uuid:pk>/", interest.interest_job, name="interest_job"),
    path("interest/check/", interest.ledger_check_start, name="ledger_check"),
    path(
        "interest/statements/",
        interest.village_statements_choose,
        name="village_statements_choose",
    ),
    path("transfers/", transfers.transfers, name="transfers"),
    path("transfers/new/", transfers.transfer_request, name="transfer_request"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/advance/", transfers.transfer_advance, name="transfer_advance"),
    path("transfers/<int:pk>/cancel/", transfers.transfer_cancel, name="transfer_cancel"),
    path("holidays/", holidays.holidays, name="holidays"),
    path("holidays/<int:pk>/delete/", holidays.holiday_delete, name="holiday_delete"),
    path("links/", transfers.links, name="links"),
    path("links/new/", transfers.link_create, name="link_create"),
    path("links/<int:pk>/", transfers.link_detail, name="link_detail"),
    path("links/<int:pk>/decide/", transfers.link_decide, name="link_decide"),
    path("benefit-standards/", awards.benefit_standards, name="benefit_standards"),
    path(
        "benefit-standards/new/",
        awards.benefit_standard_create,
        name="benefit_standard_create",
    ),
    path("estimate/", awards.estimate, name="estimate"),
    path("estimate/<int:person_pk>/", awards.estimate_person, name="estimate_person"),
    path("awards/turning-60/", awards.turning_60, name="turning_60"),
    path("awards/", awards.awards, name="awards"),
    path("awards/sheets/", awards.award_sheets, name="award_sheets"),
    path("awards/<int:pk>/", awards.award_detail, name="award_detail"),
    path("awards/<int:pk>/sheet/", awards.award_sheet, name="award_sheet"),
    path("awards/<int:pk>/decide/", awards.award_decide, name="award_decide"),
    path("awards/apply/<int:person_pk>/", awards.award_apply, name="award_apply"),
    path("payrolls/", payroll.payrolls, name="payrolls"),
    path("payrolls/<int:pk>/", payroll.payroll_detail, name="payroll_detail"),
    path("payrolls/<int:pk>/approve/", payroll.payroll_approve, name="payroll_approve"),
    path("payrolls/<int:pk>/export/", payroll.payroll_export, name="payroll_export"),
    path("payrolls/<int:pk>/result/", payroll.payroll_result, name="payroll_result"),
    path("payrolls/<int:pk>/finance/", payroll.payroll_finance, name="payroll_finance"),
    path("payrolls/<int:pk>/close/", payroll.payroll_close, name="payroll_close"),
    path("certifications/", deaths.certifications, name="certifications"),
    path("certifications/due/", deaths.certifications_due, name="certifications_due"),
    path("deaths/", deaths.deaths_page, name="deaths"),
    path("deaths/import/", deaths.death_import, name="death_import"),
    path("deaths/<int:pk>/confirm/", deaths.death_confirm, name="death_confirm"),
    path("deaths/<int:pk>/reject/", deaths.death_reject, name="death_reject"),
    path("recoveries/", deaths.recoveries, name="recoveries"),
    path("recoveries/<int:pk>/", deaths.recovery_detail, name="recovery_detail"),
    path("recoveries/<int:pk>/inherit/", deaths.recovery_inherit, name="recovery_inherit"),
    path("recoveries/<int:pk>/collect/", deaths.recovery_collect, name="recovery_collect"),
]

contributions_patterns = [
    path("dues/", dues.dues, name="dues"),
    path("dues/generate/", dues.dues_generate, name="dues_generate"),
    path("dues/jobs/<uuid:pk>/", dues.dues_job, name="dues_job"),
    path("postings/", postings.postings, name="postings"),
    path("postings/jobs/<uuid:pk>/", postings.posting_job, name="posting_job"),
]

urlpatterns = [
    path("pension/", include((pension_patterns, "pension"))),
    path("collection/", include((contributions_patterns, "contributions"))),
]
