"""Spreadsheet import and export that survive real files (issue 7): reading CSV and XLSX whatever their
encoding and separator (`reading`), the registry of what can be imported (`registry`), the preview, the
import in one transaction or in the background, and its history (`importing`)."""
