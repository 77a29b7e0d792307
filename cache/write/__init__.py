"""The write path: ingest of parsed batches, the classifying pipeline, bulk import, reclassify."""
