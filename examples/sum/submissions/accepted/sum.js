// sum: accepted. BigInt: a Number holds integers exactly only up to 2^53, and the sums here
// reach 8e18. The input is split into lines with a plain string (a regular expression split of
// the whole megabyte costs more than all the additions).
const lines = require("fs").readFileSync(0, "utf8").split("\n");
const t = Number(lines[0]);
const out = [];
for (let i = 1; i <= t; i++) {
  const [a, b] = lines[i].trim().split(" ");
  out.push((BigInt(a) + BigInt(b)).toString());
}
process.stdout.write(out.join("\n") + "\n");
