from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "selfwork.conversations"
    label = "conversations"
    verbose_name = "Conversations between members"
