"""Telegram: one library-independent core (`core.TelegramCore`) over the engine, and two thin
adapters that only translate library objects to it — aiogram 3 (`aiogram_adapter`) and
python-telegram-bot 22 (`ptb_adapter`). `service` wires them for polling and for the webhook
route (`webhook`) that `lossline serve` mounts when a bot token is set.
"""
