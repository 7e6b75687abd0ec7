"""The application shell: the app object, the window, its views, actions, files and session.

Modules here assemble the editing parts (`canvas/`, `document/`, `panels/`) into windows.
Outside `app/`, only the `junction designer` entry point and the panels that show a
window's flow (`FlowSession`, from `app.session`) import from it.
"""
