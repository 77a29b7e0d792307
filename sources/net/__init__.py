"""HTTP with caps and deadlines, backoff, stream gaps: what every outside service uses."""
