"""The performance office's own administration in the browser: campaigns, tree, questionnaires, accounts, audit."""
