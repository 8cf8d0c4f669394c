from celery import shared_task

from . import rereviews, services


@shared_task
def open_due_rereviews() -> int:
    """Beat-scheduled daily: one 三年一复核 case per listed unit whose date has come, notified once. Idempotent."""
    return rereviews.open_due_rereviews()


@shared_task
def close_due_publicities() -> int:
    """Beat-scheduled: close the 公示 notices whose period has ended. Closing twice does nothing more."""
    return services.close_due_publicities()
