"""Alerts: the spike rule over stored counts (`rules`), the notify payload, the watcher
that runs `notify_command` (`watch`), and the text of the example notify scripts
(`notify_text`)."""
