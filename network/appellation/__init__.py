"""The appellation path (issue 5): phases with history, the application dossier, the peer committee,
opinions and decisions. `access` holds every permission, `selectors` the reads and the rules' checks,
`services` every write; the views only call them."""
