"""``jumin worker [--queue-name QUEUES]``: the background job worker (django-tasks-db's
``db_worker``), serving every queue unless told which.

Queues (``jumin.core.jobs``): ``imports`` (roster and other files a township hands in),
``county`` (dues, posting, later payroll) and ``default``. One worker serves all of them;
in production run one per queue (README, systemd units) so a county job never waits behind
an import.
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from jumin.core.jobs import QUEUES


class Command(DatabaseWorkerCommand):
    help = (
        "后台任务进程。默认处理所有队列（"
        + "、".join(QUEUES)
        + "）；--queue-name county 只处理县级任务（应缴核定、记账），"
        "--queue-name imports 只处理导入，多个队列用逗号分隔。"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")
