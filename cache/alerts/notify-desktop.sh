#!/bin/sh
# A desktop notification for each Echowatch spike alert (Linux: notify-send, from libnotify).
#
#   [alerts]
#   notify_command = "sh /path/to/notify-desktop.sh"
#
# Try it on a store that has alerts:  echowatch alerts --notify-dry-run | sh notify-desktop.sh
# The alert comes as JSON on standard input; python3 (Echowatch needs it anyway) reads it.
set -eu
python3 -c '
import json, subprocess, sys

alert = json.load(sys.stdin)
lines = [alert["summary"]]
for post in alert.get("top_posts", [])[:3]:
    if post.get("stored"):
        author, text = post["author"], " ".join(post["text"].split())
        lines.append(f"{author}: {text[:140]}")
# A list of arguments, no shell: a post is shown, never run. "--" ends the options, so
# a text that starts with "-" stays text.
title = "Echowatch spike: " + alert["topic"]
subprocess.run(["notify-send", "--app-name=Echowatch", "--", title, "\n".join(lines)], check=True)
'
