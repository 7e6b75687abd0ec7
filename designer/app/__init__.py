"""The application shell: the app object, the window, its actions, files and session.

Modules here assemble the editing parts (`canvas/`, `document/`, `panels/`) into windows;
nothing outside `app/` imports from it except the `junction designer` entry point.
"""
