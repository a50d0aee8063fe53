// sum: memory limit exceeded. Builds a lookup table of 4 Gi longs (32 GiB) before reading
// the input: far past any heap the problem allows, so the JVM refuses the allocation at
// once (OutOfMemoryError, which the language table reports as MLE) instead of filling and
// collecting a heap, which takes a time that depends on the machine.
import java.io.BufferedReader;
import java.io.InputStreamReader;

public class SumHog {
    public static void main(String[] args) throws Exception {
        long[][] table = new long[64][];
        for (int i = 0; i < table.length; i++) {
            table[i] = new long[1 << 26]; // 64 Mi longs = 512 MiB each
        }
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(br.readLine().trim());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t; i++) {
            String[] p = br.readLine().trim().split("\\s+");
            sb.append(Long.parseLong(p[0]) + Long.parseLong(p[1])).append('\n');
        }
        System.out.print(sb);
        System.err.println("table " + table.length);
    }
}
