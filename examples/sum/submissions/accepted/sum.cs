// sum: accepted. long (64-bit) arithmetic; reads all of stdin at once, writes one string.
using System;
using System.IO;
using System.Text;

public class Sum
{
    public static void Main()
    {
        string[] tok = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int t = int.Parse(tok[0]);
        var sb = new StringBuilder();
        for (int i = 0; i < t; i++)
        {
            long a = long.Parse(tok[1 + 2 * i]);
            long b = long.Parse(tok[2 + 2 * i]);
            sb.Append(a + b).Append('\n');
        }
        Console.Out.Write(sb.ToString());
    }
}
