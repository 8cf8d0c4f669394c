from celery import shared_task

from . import services


@shared_task
def record_rereview_reminders() -> int:
    """Beat-scheduled: record one reminder for each listed unit whose 三年一复核 is due. Idempotent."""
    return services.record_rereview_reminders()


@shared_task
def close_due_publicities() -> int:
    """Beat-scheduled: close the 公示 notices whose period has ended. Closing twice does nothing more."""
    return services.close_due_publicities()
