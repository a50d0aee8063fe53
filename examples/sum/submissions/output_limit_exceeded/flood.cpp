// sum: output limit exceeded. Leftover debug output: dumps a 64 KiB trace block
// in an endless loop before ever answering.
#include <cstdio>
#include <string>

int main()
{
	std::string trace;
	while (trace.size() < (64u << 10))
		trace += "debug: still reading the input...\n";
	for (;;)
		std::fwrite(trace.data(), 1, trace.size(), stdout);
}
