from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "rooms"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from rooms import signals
        from rooms.messages.search_index import after_migrate

        signals.connect()
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="rooms.ensure_search_index")
