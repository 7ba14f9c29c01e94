"""What the app's panes show, computed without Textual: the open library, the risk tally,
a company's detail and export files. Widgets and screens import from here, never the reverse."""
