"""The preparer–reviewer loop: what changed between two versions of a return (`diff`), sending a
completed workbook for review (`send`, the ribbon's Send for review), and starting the next tax
year from this one (`rollover`, the ribbon's Start next year)."""
