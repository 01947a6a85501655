55433 0.51 s wall 0.20 user 0.06 sys
