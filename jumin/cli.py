"""The ``jumin`` console command: ``manage.py`` with shorter names for the daily commands.

jumin migrate                 jumin demo-data --county 341125 --people 5000 --seed 1
jumin worker                  jumin import-roster FILE --mode valid-only
jumin token create USERNAME   jumin bench registry
"""

import os
import sys

ALIASES = {
    "demo-data": "demo_data",
    "demo-logins": "demo_logins",
    "demo-year": "demo_year",
    "import-roster": "import_roster",
    "load-regions": "load_regions",
    "create-staff": "create_staff",
    "seed-plans": "seed_plans",
    "import-employee-list": "import_employee_list",
    "generate-dues": "generate_dues",
    "withholding-batch": "withholding_batch",
    "withholding-result": "withholding_result",
    "import-tax-file": "import_tax_file",
    "import-bank-statement": "import_bank_statement",
    "post-contributions": "post_contributions",
    "check-ledger": "check_ledger",
    "credit-interest": "credit_interest",
    "build-payroll": "build_payroll",
    "db-roles": "db_roles",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "jumin"
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
