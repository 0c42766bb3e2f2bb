"""Views of the projects app, one module per page family (directory, workspace, project, dashboard)."""
