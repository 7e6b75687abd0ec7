"""Running the open flow from the designer: the run dialog, the case form, the batch panel,
"try one step", and the controller that runs them in workers and drives the canvas overlay."""
