"""The demo campaign behind `./dev run`: seeding, demo accounts, synthetic answers."""
