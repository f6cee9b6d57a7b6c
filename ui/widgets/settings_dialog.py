"""Settings: pose model variant, filter cutoff, library location, copying videos."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gaitlab.errors import GaitlabError
from gaitlab.storage import default_library_path
from ui.settings import LOWPASS_RANGE_HZ, MODEL_VARIANTS, AppSettings, settings_path
from ui.widgets.dialogs import _ErrorLabel

_MODEL_TEXT = {
    "lite": "lite — fastest, least precise",
    "full": "full — the default",
    "heavy": "heavy — most precise hip and knee angles, about twice as slow",
}


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle("Settings")
        self.original = settings
        self.settings: AppSettings | None = None
        self.model_combo = QComboBox(objectName="model_variant_combo")
        for v in MODEL_VARIANTS:
            self.model_combo.addItem(_MODEL_TEXT[v], v)
        self.model_combo.setCurrentIndex(MODEL_VARIANTS.index(settings.model_variant))
        self.cutoff_spin = QDoubleSpinBox(objectName="lowpass_spin")
        self.cutoff_spin.setRange(*LOWPASS_RANGE_HZ)
        self.cutoff_spin.setDecimals(1)
        self.cutoff_spin.setSingleStep(0.5)
        self.cutoff_spin.setSuffix(" Hz")
        self.cutoff_spin.setValue(settings.lowpass_hz)
        self.library_edit = QLineEdit(settings.library_path, objectName="library_path_edit")
        self.library_edit.setPlaceholderText(f"default: {default_library_path()}")
        browse = QPushButton("Choose…", objectName="library_browse_button")
        browse.clicked.connect(self._browse)
        lib_row = QHBoxLayout()
        lib_row.addWidget(self.library_edit, 1)
        lib_row.addWidget(browse)
        self.copy_check = QCheckBox("Copy imported videos into the library folder", objectName="copy_videos_check")
        self.copy_check.setChecked(settings.copy_videos)
        form = QFormLayout()
        form.addRow("Pose model", self.model_combo)
        form.addRow("Low-pass filter cutoff", self.cutoff_spin)
        form.addRow("Library file", lib_row)
        form.addRow("", self.copy_check)
        note = QLabel(
            "The model and filter apply to analyses run from now on; stored analyses keep the "
            "settings they were made with. Visits measured with different models or filters "
            "are compared with a caution: analyse a patient's visits with the same settings.\n"
            f"Settings file: {settings_path()}",
            objectName="hint",
        )
        note.setWordWrap(True)
        self.error_label = _ErrorLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setObjectName("settings_save_button")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Library file", self.library_edit.text() or str(default_library_path()),
            "gaitlab library (*.sqlite)", options=QFileDialog.DontConfirmOverwrite,
        )
        if path:
            self.library_edit.setText(path)

    def accept(self) -> None:
        try:
            self.settings = replace(
                self.original,
                model_variant=self.model_combo.currentData(),
                lowpass_hz=float(self.cutoff_spin.value()),
                library_path=self.library_edit.text().strip(),
                copy_videos=self.copy_check.isChecked(),
            ).validated()
        except GaitlabError as exc:
            self.error_label.show_message(str(exc))
            return
        super().accept()
