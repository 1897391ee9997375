"""What runs on conda's error path: the exception filter, the hints, the failure record and its replay."""
