#!/bin/sh
# Post each Echowatch spike alert to a chat webhook that takes {"text": ...} (Slack,
# Mattermost, Rocket.Chat; Discord reads "content", also sent) at $ECHOWATCH_WEBHOOK_URL.
#
#   [alerts]
#   notify_command = "sh /path/to/notify-webhook.sh"
#
# and in the collector's environment:  ECHOWATCH_WEBHOOK_URL=https://hooks.example/...
# The address is a secret: keep it in the environment, never in the config file.
# Try it:  echowatch alerts --notify-dry-run | ECHOWATCH_WEBHOOK_URL=... sh notify-webhook.sh
set -eu
: "${ECHOWATCH_WEBHOOK_URL:?set ECHOWATCH_WEBHOOK_URL to the chat webhook address}"
python3 -c '
import json, sys

alert = json.load(sys.stdin)
lines = ["Echowatch spike: " + alert["summary"]]
for post in alert.get("top_posts", []):
    if post.get("stored"):
        author, text, url = post["author"], " ".join(post["text"].split())[:200], post["url"]
        lines.append(f"- {author}: {text} {url}".rstrip())
message = "\n".join(lines)
json.dump({"text": message, "content": message}, sys.stdout)
' | curl --silent --show-error --fail --max-time 8 \
    -H "Content-Type: application/json" --data-binary @- "$ECHOWATCH_WEBHOOK_URL"
