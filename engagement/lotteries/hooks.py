"""Listeners of the lotteries app: none. Lotteries announce lottery_entered and lottery_drawn
(engagement/lotteries/extension.py); engagement.events listens to lottery_entered."""
