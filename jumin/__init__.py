"""jumin: county administration of the resident pension and resident medical insurance schemes."""
