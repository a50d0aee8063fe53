# sum: accepted. R's numbers are doubles (exact only up to 2^53) and its integers 32-bit, so
# each number is split into its last 9 digits and the rest, both exact in a double, and the
# carry between them is done by hand. Everything is vectorised: no loop over the lines.
con <- file("stdin")
tok <- scan(con, what = "", quiet = TRUE)
close(con)
t <- as.integer(tok[1])
x <- tok[2:(2 * t + 1)]
sgn <- ifelse(startsWith(x, "-"), -1, 1)
d <- sub("^[-+]", "", x)
n <- nchar(d)
lo <- sgn * as.numeric(substr(d, n - 8, n))
hi <- sgn * as.numeric(substr(d, 1, n - 9))
hi[n <= 9] <- 0
odd <- seq(1, 2 * t, by = 2)
h <- hi[odd] + hi[odd + 1]
l <- lo[odd] + lo[odd + 1]
# carry so that |l| < 1e9 and h, l have the same sign
carry <- trunc(l / 1e9)
h <- h + carry
l <- l - carry * 1e9
fix <- h > 0 & l < 0
h[fix] <- h[fix] - 1
l[fix] <- l[fix] + 1e9
fix <- h < 0 & l > 0
h[fix] <- h[fix] + 1
l[fix] <- l[fix] - 1e9
out <- sprintf("%.0f", l)
big <- h != 0
out[big] <- paste0(sprintf("%.0f", h[big]), sprintf("%09.0f", abs(l[big])))
writeLines(out)
