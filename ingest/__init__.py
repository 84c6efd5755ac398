"""Ingestors: the snapshot format, AWS collectors and transforms, and the example organization."""
