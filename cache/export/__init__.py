"""Exports and reports. `request` (what is asked and the columns) imports nothing else here;
mention files, the sidecar, thread and ambassador reports and the snapshot build on it;
`run` dispatches."""
