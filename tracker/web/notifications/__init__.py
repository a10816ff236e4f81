"""The bell: the unread count in the layout's menu, the list of one's notifications, mark read."""
