"""RSS/Atom/RDF feeds: parsing, the polling source, OPML, the feed config, language guess."""
