#!/bin/sh
# Post each Echowatch spike alert to a chat webhook that takes {"text": ...} (Slack,
# Mattermost, Rocket.Chat; Discord reads "content", also sent) at $ECHOWATCH_WEBHOOK_URL.
#
#   [alerts]
#   notify_command = "sh /path/to/echowatch/cache/alerts/notify-webhook.sh"
#
# and in the collector's environment:  ECHOWATCH_WEBHOOK_URL=https://hooks.example/...
# The address is a secret: keep it in the environment, never in the config file.
# Try it:  echowatch alerts --notify-dry-run | ECHOWATCH_WEBHOOK_URL=... sh notify-webhook.sh
# python3 reads the alert, with notify_text.py beside this script (so run it where it is).
set -eu
: "${ECHOWATCH_WEBHOOK_URL:?set ECHOWATCH_WEBHOOK_URL to the chat webhook address}"
python3 -c '
import json, os, sys

sys.path.insert(0, os.path.join(sys.argv[1], "..", ".."))  # the folder that holds cache/
from cache.alerts.notify_text import chat_message

# The posts are hostile: no @everyone, <!channel> or [label](link) of theirs pings anyone
# or hides where a link goes; each post its own link, as a plain address.
json.dump(chat_message(json.load(sys.stdin)), sys.stdout)
' "$(dirname -- "$0")" | curl --silent --show-error --fail --max-time 8 \
    -H "Content-Type: application/json" --data-binary @- "$ECHOWATCH_WEBHOOK_URL"
