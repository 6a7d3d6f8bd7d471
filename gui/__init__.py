"""The PySide6 user interface. It imports no SQLAlchemy, keyring or storage: services from
``core`` are injected by ``main.py``. One package per feature area; feature packages do not
import each other and talk through ``gui.hub.SignalHub``."""
