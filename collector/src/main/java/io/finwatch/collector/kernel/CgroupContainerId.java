package io.finwatch.collector.kernel;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container a process runs in, recognised from its {@code /proc/<pid>/cgroup} paths.
 *
 * <p>Recognised (cgroup v1 and v2 lines alike):
 * <ul>
 *   <li>systemd driver scopes: {@code docker-<id>.scope}, {@code cri-containerd-<id>.scope},
 *       {@code crio-<id>.scope} (not {@code crio-conmon-<id>.scope}: that is CRI-O's monitor, not the
 *       container)</li>
 *   <li>docker's cgroupfs driver: {@code /docker/<id>}</li>
 *   <li>kubelet's cgroupfs driver: a path under a {@code kubepods*} segment ending in {@code <id>}, or in
 *       {@code crio-<id>} (CRI-O names its container cgroups so under cgroupfs too)</li>
 * </ul>
 * where {@code <id>} is 64 lowercase hex digits. The deepest match wins, so a process nested under a
 * container's own cgroups (systemd in a container) still maps to the container.
 */
public final class CgroupContainerId {
    private static final Pattern SCOPE = Pattern.compile("(?:docker|cri-containerd|crio)-([0-9a-f]{64})\\.scope");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CRIO_CGROUPFS = Pattern.compile("crio-([0-9a-f]{64})");

    private CgroupContainerId() {
    }

    /**
     * The container id named in a cgroup file's content ({@code hierarchy:controllers:path} lines), taking
     * the first line that names one.
     *
     * @return the 64-hex id, or null for a process outside any recognised container
     */
    public static String parse(String cgroupFile) {
        return CgroupLines.first(cgroupFile, CgroupContainerId::fromPath);
    }

    /** The container id in one cgroup path, or null. */
    static String fromPath(String path) {
        String[] segments = path.split("/");
        int kubepods = -1;
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].startsWith("kubepods")) {
                kubepods = i;
                break;
            }
        }
        for (int i = segments.length - 1; i >= 0; i--) {
            String s = segments[i];
            Matcher scope = SCOPE.matcher(s);
            if (scope.matches()) {
                return scope.group(1);
            }
            boolean underDocker = i > 0 && segments[i - 1].equals("docker");
            boolean underKubepods = kubepods >= 0 && i > kubepods;
            if ((underDocker || underKubepods) && ID.matcher(s).matches()) {
                return s;
            }
            Matcher crio = CRIO_CGROUPFS.matcher(s);
            if (underKubepods && crio.matches()) {
                return crio.group(1);
            }
        }
        return null;
    }
}
