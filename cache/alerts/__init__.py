"""Alerts: the spike rule over stored counts (`rules`), the notify payload, and the watcher
that runs `notify_command` (`watch`)."""
