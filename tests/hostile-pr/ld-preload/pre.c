/* Preloaded into every process the build's environment reaches. Before the sandbox's
   inner layers are in force (Landlock), "/" can be listed; then it says so on the log. */
#include <dirent.h>
#include <unistd.h>

__attribute__((constructor)) static void mark(void) {
    DIR *root = opendir("/");
    if (root == NULL)
        return;
    closedir(root);
    static const char said[] = "PRELOADED-BEFORE-THE-LAYERS\n";
    (void)write(2, said, sizeof said - 1);
}
