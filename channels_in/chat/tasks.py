from celery import shared_task

from channels_in.chat import services


@shared_task
def sweep_chats_task() -> int:
    """Beat job: end idle chats, then offer waiting ones to agents who have room now."""
    services.end_idle()
    return services.offer_waiting()


@shared_task
def offer_waiting_chats_task(team_ids: list[int]) -> int:
    """After a chat ends: its agent's place goes to the next waiting chat of the team."""
    return services.offer_waiting(team_ids=team_ids)
