"""The phone interview channel (电话访问): sample frames, the draw, the interviewers' queue,
supervision and the feedback to units. Completed interviews are stored through the one intake."""
