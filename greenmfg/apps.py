from django.apps import AppConfig


class GreenmfgConfig(AppConfig):
    name = "greenmfg"
    verbose_name = "平台基础"
