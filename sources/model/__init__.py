"""The shared model every layer may import: records, config, text and time formats, handles,
redaction of secrets. It imports nothing else of Echowatch."""
