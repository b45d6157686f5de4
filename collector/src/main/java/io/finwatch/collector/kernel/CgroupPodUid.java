package io.finwatch.collector.kernel;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes pod a process runs in, recognised by the kubelet's name for the pod's cgroup in
 * {@code /proc/<pid>/cgroup}. Needs no API access: the kubelet makes one cgroup per pod, named after its UID, and
 * every container of the pod lives under it.
 *
 * <p>Recognised (cgroup v1 and v2 lines alike, any runtime, since the runtime names only the level below):
 * <ul>
 *   <li>systemd driver: {@code kubepods-pod<uid>.slice} (Guaranteed), {@code kubepods-burstable-pod<uid>.slice},
 *       {@code kubepods-besteffort-pod<uid>.slice}, with the UID's dashes written as underscores (a dash separates
 *       a slice's parents in its name); with a prefix when the kubelet's cgroup root is not the top
 *       ({@code kubelet-kubepods-...-pod<uid>.slice} in kind)</li>
 *   <li>cgroupfs driver: a {@code pod<uid>} segment under a {@code kubepods} segment
 *       ({@code /kubepods/burstable/pod<uid>/<container>}, {@code /kubepods/pod<uid>/...})</li>
 * </ul>
 * A UID is a dashed UUID (8-4-4-4-12 lowercase hex) or, for a static pod, the 32 hex digits of the kubelet's hash
 * of its manifest. Paths relative to the reader's cgroup namespace ({@code /../../kubepods-...}) are read the same.
 */
public final class CgroupPodUid {
    private static final String UUID = "[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}";
    private static final String UID = "(" + UUID + "|[0-9a-f]{32})";
    private static final Pattern SLICE = Pattern.compile("(?:[a-z]+-)*kubepods(?:-[a-z]+)?-pod" + UID + "\\.slice");
    private static final Pattern CGROUPFS = Pattern.compile("pod" + UID);

    private CgroupPodUid() {
    }

    /**
     * The pod UID named in a cgroup file's content ({@code hierarchy:controllers:path} lines), taking the first
     * line that names one.
     *
     * @return the UID with dashes (as {@code metadata.uid} spells it), or null for a process in no pod
     */
    public static String parse(String cgroupFile) {
        return CgroupLines.first(cgroupFile, CgroupPodUid::fromPath);
    }

    /** The pod UID in one cgroup path, or null. */
    static String fromPath(String path) {
        boolean underKubepods = false;
        for (String segment : path.split("/")) {
            Matcher slice = SLICE.matcher(segment);
            if (slice.matches()) {
                return slice.group(1).replace('_', '-');
            }
            if (underKubepods) {
                Matcher pod = CGROUPFS.matcher(segment);
                if (pod.matches()) {
                    return pod.group(1).replace('_', '-');
                }
            }
            if (segment.equals("kubepods") || segment.startsWith("kubepods.") || segment.endsWith("-kubepods.slice")) {
                underKubepods = true;
            }
        }
        return null;
    }
}
