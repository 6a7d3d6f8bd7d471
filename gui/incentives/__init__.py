"""The Incentives page: the leaderboard, each person's points and goals, rewards and their
requests, the point rules, and the CSV export."""
