"""Members' capital (work in progress)."""
