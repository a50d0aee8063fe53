// sum: accepted. A Number holds integers exactly only up to 2^53 - 1 and the sums here reach
// 8e18, so a pair outside that range is added as BigInt; the common small pairs stay Numbers
// (BigInt for every line of the large test costs much of the safety margin). The input is split
// into lines with a plain string (a regular expression split of the megabyte costs more).
const lines = require("fs").readFileSync(0, "utf8").split("\n");
const t = Number(lines[0]);
const out = [];
for (let i = 1; i <= t; i++) {
  const [a, b] = lines[i].trim().split(" ");
  const x = Number(a), y = Number(b), s = x + y;
  if (Number.isSafeInteger(x) && Number.isSafeInteger(y) && Number.isSafeInteger(s)) {
    out.push(String(s));
  } else {
    out.push((BigInt(a) + BigInt(b)).toString());
  }
}
process.stdout.write(out.join("\n") + "\n");
