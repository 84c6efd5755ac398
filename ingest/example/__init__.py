"""The example organization: a response builder, the demo organization and its snapshot."""
