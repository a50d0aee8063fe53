// sum: memory limit exceeded. Keeps 64 MiB long[] blocks in a list up to 1 GiB,
// filling each one so its pages are really touched. Under a memory limit the
// JVM throws OutOfMemoryError (or the kernel kills it).
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class SumHog {
    public static void main(String[] args) throws Exception {
        List<long[]> blocks = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            long[] block = new long[8 << 20]; // 8 Mi longs = 64 MiB, too big for the young generation
            Arrays.fill(block, i + 1);
            blocks.add(block);
        }
        java.io.BufferedReader br = new java.io.BufferedReader(
                new java.io.InputStreamReader(System.in));
        int t = Integer.parseInt(br.readLine().trim());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t; i++) {
            String[] p = br.readLine().trim().split("\\s+");
            sb.append(Long.parseLong(p[0]) + Long.parseLong(p[1])).append('\n');
        }
        System.out.print(sb);
        System.err.println("blocks " + blocks.size());
    }
}
