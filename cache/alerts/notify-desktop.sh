#!/bin/sh
# A desktop notification for each Echowatch spike alert (Linux: notify-send, from libnotify).
#
#   [alerts]
#   notify_command = "sh /path/to/echowatch/cache/alerts/notify-desktop.sh"
#
# Try it on a store that has alerts:  echowatch alerts --notify-dry-run | sh notify-desktop.sh
# The alert comes as JSON on standard input; python3 (Echowatch needs it anyway) reads it,
# with notify_text.py beside this script (so run it where it is, in Echowatch's folder).
set -eu
python3 -c '
import json, os, subprocess, sys

sys.path.insert(0, os.path.join(sys.argv[1], "..", ".."))  # the folder that holds cache/
from cache.alerts.notify_text import desktop_notification

# The posts are hostile: the body is notification markup, so their <, > and & are escaped.
title, body = desktop_notification(json.load(sys.stdin))
# A list of arguments, no shell: a post is shown, never run. "--" ends the options, so
# a text that starts with "-" stays text.
subprocess.run(["notify-send", "--app-name=Echowatch", "--", title, body], check=True)
' "$(dirname -- "$0")"
