// sum: wrong answer. Adds Numbers: doubles hold integers exactly only up to 2^53, so
// 123456789012345678 + 876543210987654321 prints 1000000000000000000 (sample 2).
const lines = require("fs").readFileSync(0, "utf8").split("\n");
const t = Number(lines[0]);
const out = [];
for (let i = 1; i <= t; i++) {
  const [a, b] = lines[i].trim().split(" ");
  out.push(String(Number(a) + Number(b)));
}
process.stdout.write(out.join("\n") + "\n");
